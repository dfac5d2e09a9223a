/**
 * The bare tags in JSX, typed by "live-session/types/react" (tsconfig "types"):
 * attributes, properties and events are checked like those of built-in elements.
 */
export function BareTags({ room }: { room: string }) {
  return (
    <live-session room={room} name="Tess" user-role="tutor" autojoin>
      <p slot="prejoin">Cameras on, please.</p>
    </live-session>
  );
}
