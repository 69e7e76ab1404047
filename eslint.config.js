// ESLint for the whole monorepo: recommended JavaScript and TypeScript rules, typed rules for promises (the type
// checker's view of every file, through the project service), plus the repo's own conventions.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'reports/**', '**/.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'packages/*/bin/*.js', 'scripts/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_name` marks a value deliberately left unused (destructuring it away).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A promise nobody awaits or handles loses its rejection; one passed where a callback returns void does too.
      '@typescript-eslint/no-floating-promises': 'error',
      // Except where a callback API deliberately also returns a promise (express-session's Store, http handlers that
      // catch their own errors): those are checked by their tests, not by the void-return rule.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, inheritedMethods: false } },
      ],
      '@typescript-eslint/await-thenable': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
);
