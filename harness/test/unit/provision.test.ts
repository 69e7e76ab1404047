/** Provisioning decisions that need no download: which archives to use, and what a missing binary says. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryCommand, ServerBinaryMissingError } from '../../src/provision/binaries.ts';
import { debianArchiveUris } from '../../src/provision/debian.ts';

describe('debianArchiveUris', () => {
  it('reads deb822 and one-line sources and leaves out the security archive', () => {
    const uris = debianArchiveUris([
      {
        name: 'debian.sources',
        text: 'Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://archive.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
      },
      {
        name: 'sources.list',
        text: '# comment\ndeb [arch=amd64] http://mirror.example/debian bookworm main\ndeb http://mirror.example/debian-security bookworm-security main\n',
      },
    ]);
    expect(uris).toEqual(['http://archive.example/debian', 'http://mirror.example/debian']);
  });
});

describe('binaryCommand', () => {
  it('says how to get the binaries when they are missing', () => {
    expect(() => binaryCommand('redis', 'server', 'trixie', join(import.meta.dirname, 'nowhere'))).toThrow(
      ServerBinaryMissingError,
    );
    expect(() => binaryCommand('redis', 'server', 'trixie', join(import.meta.dirname, 'nowhere'))).toThrow(
      /npm run provision/,
    );
  });
});
