import { runContextApp } from '@agora/host';
import { paymentContext } from '@agora/payment';

await runContextApp(paymentContext);
