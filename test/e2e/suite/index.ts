// Entry point code-server's extension host loads as extensionTestsPath: runs every *.test.js bundled beside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120000 });
  for (const file of fs.readdirSync(__dirname)) if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      console.log(`${stats?.passes ?? 0} passed, ${failures} failed, ${stats?.pending ?? 0} pending`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
