/** Builds the console into `outDir` (default dist/console). */
export function buildConsole(outDir?: string): Promise<void>;
