/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    'node_modules/h5wasm/.+\\.js$': '<rootDir>/test/support/esmToCjs.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!h5wasm/)'],
  // h5wasm's package exports only an "import" entry; point jest's require at the file.
  moduleNameMapper: { '^h5wasm/node$': '<rootDir>/node_modules/h5wasm/dist/node/hdf5_hl.js' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};
