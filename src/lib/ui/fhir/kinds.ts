import type { TimelineKind } from '$lib/fhir';

/** A colour per timeline kind, for the dot beside its (translated) name. */
export const KIND_COLOUR: Record<TimelineKind, string> = {
  encounter: '#0f766e',
  condition: '#b45309',
  observation: '#2563eb',
  medication: '#7c3aed',
  immunization: '#059669',
  procedure: '#db2777',
  allergy: '#dc2626'
};
