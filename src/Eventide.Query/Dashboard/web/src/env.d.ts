// Style sheets are bundled by Vite; importing one yields nothing in TypeScript.
declare module '*.css';
