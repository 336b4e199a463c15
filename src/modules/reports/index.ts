/**
 * The reports module: daily rollups folded from the help portal's records and usage counts, the work report
 * (page, JSON API, CSV and PDF exports), published suppressed snapshots, and the NGO dashboard.
 */
import type { FastifyInstance } from 'fastify';
import { reportsRoutes } from './reports.routes.tsx';

export function reportsModule(app: FastifyInstance): void {
  reportsRoutes(app);
}
