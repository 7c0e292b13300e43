#!/usr/bin/env node
// On Linux the command starts itself again once with malloc on transparent huge pages (src/cli/launch.ts); the
// process that runs it loads the CLI bundle.
if (!require('../dist/launch.js').relaunchWithHugePages(__filename, process.argv.slice(2))) {
  require('../dist/cli.js')
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
}
