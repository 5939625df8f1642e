import { AppSetup } from '~/components/setup/app-setup';
import { readSdkScript } from '~/server/sdk-assets';

export const dynamic = 'force-dynamic';

/** Server side: the api's published SRI hash of the script build; the rest is the client's. */
export default async function AppSetupPage() {
  return <AppSetup script={await readSdkScript()} />;
}
