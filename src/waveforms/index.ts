/** Public surface of waveform extraction, metrics and the UnitSet. */
export { extractWaveforms } from './extract';
export { writeInitialSorting } from './initial-sorting';
export { loadWaveformResult, readUnitTemplates, WaveformResultMissingError } from './store';
export { OutOfMemoryError } from './errors';
export { waveformLayout, type WaveformLayout } from './layout';
export { compiledWindow, extractionWindow, msToSamples, WaveformWindowError, type CompiledWindow, type ExtractionWindow, type MetricsParams, type WaveformParams } from './params';
export { channelTrace, halfWindow, isPositivePeak, peakChannel, peakInfo, ChannelMapError, type PeakInfo, type TemplateView } from './peak-channel';
export { sampleSpikeIndices } from './sampling';
export { estimateNoiseLevels, noiseChunkStarts, EmptyRecordingError, type NoiseOptions } from './noise';
export { channelPeaks, signalToNoise, stdAtPeaks, stdNorms, unitMetrics, windowTemplate, type UnitMetrics, type UnitMetricsInput } from './metrics';
export { buildUnitSet, selectUnits, sourceFormat, trainMs, type BuildUnitSetOptions, type ChannelLocations, type NeuronAttributes, type RecordingInfo, type UnitSet, type UnitSetMetadata } from './unit-set';
export { readUnitSet, unitSetExists, writeUnitSet, UnitSetFormatError } from './unit-set-store';
export type { ExtractOptions, ExtractionProgress, UnitWaveformRecord, UnitWaveforms, WaveformResult } from './types';
