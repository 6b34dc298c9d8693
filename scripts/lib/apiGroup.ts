import type { RenderedObject } from './preflightRendering';

export function apiGroup(object: RenderedObject): string {
  const apiVersion = String(object.apiVersion ?? '');
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}
