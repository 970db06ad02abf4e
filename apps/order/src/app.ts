import { runContextApp } from '@agora/host';
import { orderContext } from '@agora/order';

await runContextApp(orderContext);
