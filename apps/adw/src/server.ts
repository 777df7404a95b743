import { closeOnSignals, runService } from '@maximus/kit/service';
import { service } from './service.js';

const running = await runService(service, { insecureHttp: process.argv.includes('--insecure-http') });
running.platform.log.info({ url: running.url }, 'adw listening');
closeOnSignals(running, running.platform.log);
