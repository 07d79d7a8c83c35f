/** The six roles of the paper (SPEC §1) and the route each one lives at. */
export const ROLES = [
  { id: 'patient', path: '/patient', icon: '🧑' },
  { id: 'hospital', path: '/hospital', icon: '🏥' },
  { id: 'user', path: '/user', icon: '🔎' },
  { id: 'tpa', path: '/tpa', icon: '⚖️' },
  { id: 'pkg', path: '/pkg', icon: '🪪' },
  { id: 'cloud', path: '/cloud', icon: '☁️' }
] as const;

export type RoleId = (typeof ROLES)[number]['id'];
