import Link from 'next/link';
import { WishButton } from './wish-button';

export const metadata = { title: 'Shop' };

export default function Home() {
  return (
    <main>
      <h1>Shop</h1>
      <WishButton />
      <Link id="product" href="/shop/42">
        A product
      </Link>
      <Link id="sold-out" href="/shop/13">
        A sold-out product
      </Link>
    </main>
  );
}
