import type { CorpusCase } from './cases';
import { MAXWELL_CASES } from './cases';
import { NWB_BINARY_CASES } from './nwbBinaryCases';

export type { CorpusCase } from './cases';
export const CORPUS: CorpusCase[] = [...MAXWELL_CASES, ...NWB_BINARY_CASES];
