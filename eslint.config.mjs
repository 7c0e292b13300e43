// Lint rules that catch real mistakes (floating promises, misused async, unsafe any) on top of the strictest tsconfig.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'media/overlay.js', 'node_modules/', '.vscode-host/', 'scripts/e2e/*.js', 'bin/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The extension's import graph has no cycles through the commands: only main.ts imports commands/, and a
    // command never imports another (what they share lives beside context.ts).
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/commands', '**/commands/*'], message: 'Only src/extension/main.ts imports commands/.' }] },
      ],
    },
  },
  {
    files: ['src/extension/commands/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['./*'], message: 'A command does not import another command.' }] }],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
