/**
 * The reports module: daily rollups folded from the help portal's records and usage counts, the work report
 * (page, JSON API, CSV and PDF exports), published suppressed snapshots, and the dashboards of each console.
 */
import type { FastifyInstance } from 'fastify';
import { reportsDashboards } from './reports.dashboards.tsx';
import { reportsRoutes } from './reports.routes.tsx';

export function reportsModule(app: FastifyInstance): void {
  reportsRoutes(app);
  reportsDashboards(app);
}
