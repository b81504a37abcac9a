/** Lets the type checker accept the UI bundle import before the first `bun scripts/build-ui.ts`. */
declare module "*/dist/ui/bundle.json" {
  const bundle: unknown;
  export default bundle;
}
