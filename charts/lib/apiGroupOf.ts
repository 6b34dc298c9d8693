import type { RenderedObject } from './controllerPolicies';

export function apiGroupOf(object: RenderedObject): string {
  const apiVersion = String(object.apiVersion ?? '');
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}
