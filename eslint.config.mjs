// Lint + architecture boundaries (apps never import each other; libs never import apps;
// cross-lib imports only through the @gw/<lib> barrel; the policy engine stays free of Nest/TypeORM).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noDeepLibImports = {
  group: ['@gw/*/*', '**/libs/*/src/**', '../../libs/**', '../../../libs/**'],
  message: 'Import other libs only through their barrel: @gw/<lib>.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.data/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through @gw/config only.' },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noDeepLibImports, { group: ['**/apps/**', '@gw/apps*'], message: 'Libs never import apps.' }] }],
    },
  },
  {
    files: ['apps/inference/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepLibImports, { group: ['**/control/**'], message: 'Apps never import each other.' }] }] },
  },
  {
    files: ['apps/control/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDeepLibImports, { group: ['**/inference/src/**'], message: 'Apps never import each other.' }] }] },
  },
  {
    files: ['libs/policy/src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*', 'typeorm', 'pg', 'bullmq', 'ioredis', 'node:fs', 'node:net', 'undici'], message: 'The policy engine is pure: no Nest, TypeORM or I/O.' }] }],
    },
  },
  {
    files: ['libs/config/src/gateway-config.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
