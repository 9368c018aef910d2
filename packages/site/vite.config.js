// Vite builds the site into dist/: hashed immutable assets under assets/ and index.html, whose
// <!--cbm-site-config--> marker the server replaces with the pinned log key (README "The site").
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // Preact's JSX runtime without @preact/preset-vite: one dependency fewer.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
});
