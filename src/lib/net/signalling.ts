/**
 * Where the PeerJS signalling server is: the same origin that served the app
 * (`npm start` mounts it at /peerjs). No STUN/TURN by default: on a LAN host
 * candidates suffice and no test may need the internet.
 */
export const PEER_PATH = '/peerjs';

export interface SignallingOptions {
  host: string;
  port: number;
  path: string;
  secure: boolean;
  config: RTCConfiguration;
  debug: 0 | 1 | 2 | 3;
}

/** PeerJS options for a page served from `loc`. */
export function signallingOptions(loc: Pick<Location, 'hostname' | 'port' | 'protocol'>, iceServers: RTCIceServer[] = []): SignallingOptions {
  const secure = loc.protocol === 'https:';
  const port = loc.port ? Number(loc.port) : secure ? 443 : 80;
  return { host: loc.hostname, port, path: PEER_PATH, secure, config: { iceServers }, debug: 0 };
}
