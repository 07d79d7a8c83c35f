// Browser-only app: no server rendering; every route is prerendered as a shell.
export const ssr = false;
export const prerender = true;
export const trailingSlash = 'never';
