// The part of the WebAssembly JS API this package uses (the project's lib is ES2023 without
// DOM, which is where TypeScript declares it).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    value: unknown;
  }
}
type BufferSource = ArrayBufferView | ArrayBuffer;
