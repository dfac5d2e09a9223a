import { useState } from 'react';
import { LiveSession } from 'live-session/react';
import { roomParams, SMALL_VIDEO } from './room-params';

const params = roomParams();

/** A room through the typed React component: props and `on…` events checked by tsc. */
export function App() {
  const [arrivals, setArrivals] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  return (
    <main>
      <h1>Live lesson (React)</h1>
      <LiveSession
        server={params.server}
        room={params.room}
        name={params.name}
        userRole={params.userRole}
        video={SMALL_VIDEO}
        strings={{ join: 'Enter the classroom' }}
        autojoin
        onLsParticipantJoined={(event) => {
          const { name } = event.detail.participant;
          setArrivals((names) => [...names, name]);
        }}
        onLsError={(event) => setError(`${event.detail.code}: ${event.detail.message}`)}
        onLsJoined={(event) => console.info(`joined ${event.detail.room}`)}
        style={{ height: '70vh' }}
      />
      <ul id="arrivals">
        {arrivals.map((name, index) => (
          <li key={index}>{name} joined</li>
        ))}
      </ul>
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
