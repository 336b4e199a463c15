export declare function isBuildCurrent(): boolean;
export declare function build(options?: { log?: (line: string) => void }): void;
export declare function ensureBuilt(): void;
