import Link from 'next/link';
import { Basket } from './basket';

export const metadata = { title: 'Product' };

export default async function Product({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // A server-side failure: reported by onRequestError, shown by error.tsx with its digest.
  if (id === '13') throw new Error('product 13 is out of stock');
  return (
    <main>
      <h1>Product {id}</h1>
      <Basket />
      <Link id="home" href="/">
        Back
      </Link>
    </main>
  );
}
