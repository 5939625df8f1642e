import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ApiProvider } from '../lib/trpc';
import './globals.css';

export const metadata: Metadata = {
  title: 'Sightline',
  description: 'Self-hosted analytics, crash reporting and performance monitoring',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ApiProvider>{children}</ApiProvider>
      </body>
    </html>
  );
}
