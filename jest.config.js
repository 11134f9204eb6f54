/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // h5wasm ships only an "import" export; jest's resolver asks for "require" conditions from CJS code.
  moduleNameMapper: { '^h5wasm/node$': '<rootDir>/node_modules/h5wasm/dist/node/hdf5_hl.js' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
