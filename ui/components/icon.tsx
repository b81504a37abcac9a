/** @jsxImportSource preact */
/**
 * The few icons the views need, as inline SVG (no icon font, nothing from the
 * network; emoji are missing on many servers' browsers).
 * @module
 */

const PATHS = {
  graph: "M6 2h4v3H6zM1 11h4v3H1zM11 11h4v3h-4zM8 5v3M3 11V8h10v3",
  timeline: "M2 3h7M5 8h8M3 13h6",
  bug: "M8 1.5 15 14H1zM8 6v4M8 11.5v.5",
  eye: "M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5zM8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
  comment: "M2 2.5h12v8H7l-3.5 3v-3H2z",
  send: "M1.5 7.5 14.5 2 10 14 7.5 9zM7.5 9 14.5 2",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class="svg-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
