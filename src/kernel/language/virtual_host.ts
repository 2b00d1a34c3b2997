// A LanguageServiceHost over in-memory files (the prelude and the cells) and the real disk
// (lib.d.ts, @types, node_modules, files beside the notebook).
//
// Speed rests on two things: script versions (the language service re-parses only a file whose
// version changed, so earlier cells are parsed once) and the project version (bumped on every
// change; when it is unchanged the service reuses its program and checker as they are). Files
// beside the notebook can change under it: the project version also moves when one of those
// that the program read has a new modification time.

import { statSync } from "node:fs";
import { dirname, sep } from "node:path";
import type ts from "typescript";
import { typescript } from "./typescript.js";

interface MemoryFile {
  text: string;
  version: number;
  snapshot: ts.IScriptSnapshot;
}

interface DiskFile {
  version: string;
  /** Read once: a file of the TypeScript lib, under node_modules, or of tsjit's typings. */
  immutable: boolean;
  snapshot: ts.IScriptSnapshot | undefined;
}

/** Maps a module specifier to a file it stands for, ahead of TypeScript's own resolution. */
export type ModuleOverride = (specifier: string) => string | undefined;

export class VirtualHost {
  private readonly memory = new Map<string, MemoryFile>();
  private readonly disk = new Map<string, DiskFile>();
  private readonly roots: string[] = [];
  private projectVersion = 0;
  private readonly resolutionCache: ts.ModuleResolutionCache;
  private readonly immutableDirs: string[];
  readonly host: ts.LanguageServiceHost;

  constructor(
    private readonly cwd: string,
    private options: ts.CompilerOptions,
    /** Folders whose files do not change while the kernel runs (tsjit's own typings). */
    immutableDirs: readonly string[],
    private readonly override: ModuleOverride,
  ) {
    const ts = typescript();
    const canonical = (f: string): string => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase());
    this.resolutionCache = ts.createModuleResolutionCache(cwd, canonical, options);
    this.immutableDirs = [dirname(ts.getDefaultLibFilePath(options)), ...immutableDirs].map((d) => d + sep);
    this.immutableDirs.push(`${sep}node_modules${sep}`);
    this.host = this.createHost();
  }

  /**
   * Sets an in-memory file's text; a no-op when the text is the same. A root file is part of
   * the program; another one only when a root imports it.
   */
  setFile(fileName: string, text: string, { root }: { root: boolean } = { root: true }): void {
    const ts = typescript();
    const existing = this.memory.get(fileName);
    if (existing?.text === text) return;
    if (!existing && root) this.roots.push(fileName);
    this.memory.set(fileName, { text, version: (existing?.version ?? 0) + 1, snapshot: ts.ScriptSnapshot.fromString(text) });
    this.projectVersion++;
  }

  /**
   * Replaces the compiler options (Note [node typings on demand]): the next request builds its
   * program anew, reusing every file already parsed. Module resolution does not depend on the
   * options changed here (`types`), so its cache is kept.
   */
  setOptions(options: ts.CompilerOptions): void {
    this.options = options;
    this.projectVersion++;
  }

  private createHost(): ts.LanguageServiceHost {
    const ts = typescript();
    // `getModuleResolutionCache` is an internal hook of the language service (not in the
    // public typings): without it, it re-reads package.json files for every file it builds.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => this.roots,
      getProjectVersion: () => {
        if (this.diskChanged()) this.projectVersion++;
        return String(this.projectVersion);
      },
      getScriptVersion: (f) => {
        const m = this.memory.get(f);
        return m ? String(m.version) : this.diskFile(f).version;
      },
      getScriptSnapshot: (f) => this.memory.get(f)?.snapshot ?? this.diskFile(f).snapshot,
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.memory.has(f) || ts.sys.fileExists(f),
      readFile: (f, encoding) => this.memory.get(f)?.text ?? ts.sys.readFile(f, encoding),
      readDirectory: (...args) => ts.sys.readDirectory(...args),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (p) => (this.memory.has(p) ? p : (ts.sys.realpath?.(p) ?? p)),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      // Also caches package.json lookups, which the service makes for every file it builds.
      getModuleResolutionCache: () => this.resolutionCache,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) =>
        literals.map((literal) => this.resolve(literal.text, containingFile, redirected, options)),
    };
    return host;
  }

  private resolve(
    specifier: string,
    containingFile: string,
    redirected: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions,
  ): ts.ResolvedModuleWithFailedLookupLocations {
    const ts = typescript();
    const target = this.override(specifier);
    if (target !== undefined) {
      const extension = target.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts;
      return { resolvedModule: { resolvedFileName: target, extension, isExternalLibraryImport: false } };
    }
    return ts.resolveModuleName(specifier, containingFile, options, this.host as ts.ModuleResolutionHost, this.resolutionCache, redirected);
  }

  /**
   * Whether a file read from disk that may change (not lib, typings or node_modules) has a new
   * modification time. Such a file is forgotten, so it is read again, and the change counted once.
   */
  private diskChanged(): boolean {
    let changed = false;
    for (const [fileName, file] of this.disk) {
      if (file.immutable || modificationTime(fileName) === file.version) continue;
      this.disk.delete(fileName);
      changed = true;
    }
    return changed;
  }

  /**
   * A file on disk. Files of the TypeScript lib and under node_modules are read once; other
   * files (modules beside the notebook) are versioned by modification time.
   */
  private diskFile(fileName: string): DiskFile {
    const cached = this.disk.get(fileName);
    if (cached?.immutable) return cached;
    const immutable = this.immutableDirs.some((d) => fileName.includes(d));
    const version = immutable ? "0" : modificationTime(fileName);
    if (cached?.version === version) return cached;
    const ts = typescript();
    const text = ts.sys.readFile(fileName);
    const entry: DiskFile = { version, immutable, snapshot: text === undefined ? undefined : ts.ScriptSnapshot.fromString(text) };
    this.disk.set(fileName, entry);
    return entry;
  }
}

function modificationTime(fileName: string): string {
  try {
    return String(statSync(fileName).mtimeMs);
  } catch {
    return "missing";
  }
}
