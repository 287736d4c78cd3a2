// The types of tools/library-stamp.mjs (plain JavaScript, for the kernel's launcher).
export declare const stampName: string;
export declare const errorsName: string;
export declare function sourceHash(root: string): string;
export declare function libraryIsCurrent(root: string, libDir: string): boolean;
export declare function currentLibrary(root: string, libDir: string, log: (line: string) => void): boolean;
