/** Errors of the detector; callers can tell bad configuration from a corrupt checkpoint. */
export class DetectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting is missing its type or range; the message quotes the setting and the value. */
export class DetectorSettingsError extends DetectorError {}

/** A persisted state cannot be restored (unknown version, wrong shape, inconsistent sizes). */
export class DetectorStateError extends DetectorError {}

/** A sample breaks the input contract (a timestamp that is not a finite number of epoch milliseconds). */
export class DetectorInputError extends DetectorError {}
