import asyncio, json, time, tempfile, httpx, statistics, sys
from bench.inbound import build_stack, serve, signed
async def lagger(stop, out):
    while not stop.is_set():
        t=time.perf_counter(); await asyncio.sleep(0.01); out.append(time.perf_counter()-t-0.01)
async def main(rate, n_total, worker):
    with tempfile.TemporaryDirectory() as folder:
        stack = await build_stack(folder, real_clock=False, remote=True)
        cs = [stack.company.create('Customer', {'DisplayName': f'X{n}'}) for n in range(50)]
        server, url, task = await serve(stack.receiver)
        if worker: stack.worker.start()
        lags=[]; stop=asyncio.Event(); lt=asyncio.create_task(lagger(stop,lags))
        bodies=[]
        for n in range(n_total):
            body = json.dumps({'eventNotifications': [{'realmId': stack.realm_id, 'dataChangeEvent': {'entities': [
                {'name': 'Customer', 'id': cs[n%50]['Id'], 'operation': 'Update', 'lastUpdated': f'2026-01-01T00:{n//60000:02d}:{(n//1000)%60:02d}.{n%1000:03d}Z'}]}}]})
            bodies.append([body, signed(body.encode())])
        open(folder+'/d.json','w').write(json.dumps(bodies))
        t0=time.perf_counter()
        child = await asyncio.create_subprocess_exec(sys.executable, '-m', 'bench.inbound', '--load', url, folder+'/d.json', str(rate), stdout=asyncio.subprocess.PIPE)
        out,_ = await child.communicate()
        lat=json.loads(out); lat.sort()
        print('rate',rate,'worker',worker,'p50',statistics.median(lat),'p99',lat[int(len(lat)*.99)],'max',lat[-1], 'wall', time.perf_counter()-t0)
        stop.set(); await lt
        print('loop lag max', max(lags), 'p99', sorted(lags)[int(len(lags)*.99)])
        print(await stack.inbound.queue.counts(), stack.worker.passes)
        await stack.worker.stop(); server.should_exit = True; await task
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]=='1'))
