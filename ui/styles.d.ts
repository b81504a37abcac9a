/**
 * CSS files: the visualiser imports them for their effect, bundled by
 * Bun.build (scripts/build-ui.ts); the server imports ui/shell.css as text
 * (`with { type: "text" }`) to inline it into the history pages.
 */
declare module "*.css" {
  const text: string;
  export default text;
}
