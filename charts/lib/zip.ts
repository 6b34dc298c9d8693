/** 1980-01-01 00:00:00 in MS-DOS format: time 0, date ((1980 - 1980) << 9) | (1 << 5) | 1. */
export const ZIP_DOS_TIME = 0x0000;
export const ZIP_DOS_DATE = 0x0021;
/** Regular file, rw-r--r--: the Lambda runtime user only needs to read the code. */
export const ZIP_FILE_MODE = 0o100644;
