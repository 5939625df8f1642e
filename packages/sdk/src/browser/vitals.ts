import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { SightlineClient } from '../core/client.ts';

// Core Web Vitals with Google's `web-vitals`: LCP, INP, CLS, FCP and TTFB, each as a
// `web_vital` event with its rating and page (reported when the browser finalises them —
// at the latest when the page is hidden).

export function captureWebVitals(client: SightlineClient): void {
  const report = (metric: Metric) =>
    client.track('web_vital', {
      name: metric.name,
      value: metric.name === 'CLS' ? Math.round(metric.value * 1000) / 1000 : Math.round(metric.value),
      rating: metric.rating,
      page: location.pathname,
    });
  onLCP(report);
  onINP(report);
  onCLS(report);
  onFCP(report);
  onTTFB(report);
}
