/**
 * The orders module's access rules (contributed through the module descriptor to the platform's access policy, platform/access-policy.ts). Records are placed by
 * the organisation that holds them: an application and its order by the court (`organisation`), a review
 * task by the police station or federation it was sent to, a warning by the police station; NGO staff reach
 * only applications they created (`own`). Everything else is refused with 404 by the identity gate.
 */
import type { ActionRule } from '../../platform/access-policy.ts';

const COURT = { judge: 'organisation', court_clerk: 'organisation' } as const;
const JUDGE = { judge: 'organisation' } as const;
const NGO_OWN = { caseworker: 'own', volunteer_lawyer: 'own', ngo_supervisor: 'own' } as const;
const AGENCIES = {
  police_officer: 'organisation',
  federation_officer: 'organisation',
  community_officer: 'organisation',
} as const;

export const ORDERS_POLICY = {
  // Applications: NGO staff start one from a case, a clerk records an oral one; the creator edits and files it.
  'orders.application.create': { roles: { ...NGO_OWN, court_clerk: 'organisation' } },
  'orders.application.edit': { roles: { ...NGO_OWN, court_clerk: 'own' } },
  'orders.application.read': { roles: { ...COURT, ...NGO_OWN } },
  // The court's docket and decisions.
  'orders.docket.list': { roles: COURT },
  'orders.application.accept': { roles: COURT },
  'orders.application.return': { roles: COURT },
  'orders.application.transfer': { roles: COURT },
  'orders.application.requestMore': { roles: JUDGE },
  'orders.application.questioning': { roles: JUDGE },
  'orders.application.decide': { roles: JUDGE },
  'orders.order.document': { roles: COURT },
  'orders.order.service': { roles: COURT },
  'orders.order.modify': { roles: JUDGE },
  'orders.order.reconsideration': { roles: COURT },
  // Lists (issue 14): the court's service tasks and violations inbox; orders in force for the issuing court and,
  // to enforce them, the police stations and residents' committees of the court's region.
  'orders.service.list': { roles: COURT },
  'orders.violation.list': { roles: COURT },
  'orders.order.list': {
    roles: { ...COURT, police_officer: 'region', community_officer: 'region' },
  },
  'orders.violation.decide': { roles: JUDGE },
  // Police and federation/committee review.
  'orders.review.list': { roles: AGENCIES },
  'orders.review.read': { roles: AGENCIES },
  'orders.review.submit': { roles: AGENCIES },
  // Police: violations of orders in their area, written warnings and follow-up visits.
  'orders.violation.reportPolice': { roles: { police_officer: 'region' } },
  'orders.warning.issue': { roles: { police_officer: 'organisation' } },
  // Linking a warning to her help request: only where she shared it with the station (record `help_request_agency`).
  'orders.warning.linkCase': { roles: { police_officer: 'assigned' } },
  'orders.warning.list': { roles: { police_officer: 'organisation' } },
  'orders.warning.update': { roles: { police_officer: 'organisation' } },
} as const satisfies Record<string, ActionRule>;
