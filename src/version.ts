/** Versions reported in every run. Read from the package files so they never drift. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function versionOf(pkgJson: string): string | undefined {
  try {
    return (require(pkgJson) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export const TOOL_VERSION: string = versionOf('../package.json') ?? '0.0.0';
export const UNDICI_VERSION: string | undefined = versionOf('undici/package.json');
