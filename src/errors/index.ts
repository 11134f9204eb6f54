export * from './taxonomy';
export * from './status';
export { CLASSIFIED_ERROR_FAMILIES, familyOf } from './families';
