// The package version, set at build time; a module of its own so `tix --version` loads nothing else.
export const VERSION = typeof __TIX_VERSION__ === 'string' ? __TIX_VERSION__ : '0.0.0-dev';
