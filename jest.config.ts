/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// One transform for all projects: swc strips types (typechecking is `pnpm typecheck`).
const common = {
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^@wms/([a-z-]+)$': '<rootDir>/packages/$1/src',
    '^@wms/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2',
  },
  testEnvironment: 'node',
  // Generated trees (benchmark data, demo workspaces, bundles) hold package.json files that would
  // collide in jest's module map.
  modulePathIgnorePatterns: ['<rootDir>/.bench/', '<rootDir>/.wms-demo/', '<rootDir>/actions/[^/]+/dist/'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
} satisfies Partial<Config>;

const config: Config = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.int.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{packages,actions}/*/__tests__/**/*.e2e.test.ts', '<rootDir>/test/**/*.e2e.test.ts'],
    },
  ],
};

export default config;
