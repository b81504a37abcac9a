/** CSS files are bundled by Bun.build (scripts/build-ui.ts); importing one only includes it. */
declare module "*.css" {}
