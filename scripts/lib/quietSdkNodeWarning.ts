/**
 * Imported first by the tools that use the AWS SDK. Under Node.js 20 the SDK prints a nine-line warning
 * on every run that its releases after the first week of January 2027 need Node.js 22; it would bury the
 * tools' one-line errors and summaries. The lockfile holds a release that supports 20, and the README says
 * once what the warning says ("Node.js versions"). An operator who sets the variable keeps their choice.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
