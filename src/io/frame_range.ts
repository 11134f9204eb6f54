/**
 * The one range check every Recording implementation applies to getTraces requests, so
 * sources and wrappers reject the same inputs with the same message.
 */
export function checkFrameRange(source: string, numFrames: number, startFrame: number, endFrame: number): void {
  if (!Number.isInteger(startFrame) || !Number.isInteger(endFrame) || startFrame < 0 || endFrame < startFrame || endFrame > numFrames) {
    throw new RangeError(
      `${source}: frame range [${startFrame}, ${endFrame}) is outside [0, ${numFrames}] or not a pair of ordered integers`,
    );
  }
}
