// The Argo CD health checks (deploy/argocd/health/*.lua) run in gopher-lua — the Lua VM Argo
// CD embeds — against the statuses the operator writes, and argocd-cm-health.yaml is not stale.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { argocdCmFile, renderArgocdCm } from '../../deploy/argocd/render-argocd-cm.ts';
import { TOOL_BUILD_TIMEOUT, repoRoot } from './packaging-tools.ts';

const GOPHER_LUA = 'v1.1.2';

// Sets the global `obj` from JSON the way Argo CD does (objects and arrays become tables,
// arrays 1-based), runs the script and prints the table it returns as JSON.
const RUNNER = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

func toLua(L *lua.LState, v interface{}) lua.LValue {
	switch x := v.(type) {
	case map[string]interface{}:
		t := L.NewTable()
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []interface{}:
		t := L.NewTable()
		for _, e := range x {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	}
	return lua.LNil
}

func main() {
	var obj interface{}
	if err := json.NewDecoder(os.Stdin).Decode(&obj); err != nil {
		panic(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoFile(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hs := L.Get(-1).(*lua.LTable)
	out, _ := json.Marshal(map[string]string{
		"status":  hs.RawGetString("status").String(),
		"message": hs.RawGetString("message").String(),
	})
	fmt.Println(string(out))
}
`;

let runner: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-lua-'));
  writeFileSync(join(dir, 'go.mod'), 'module kraftwerk.dev/lua-health\n\ngo 1.24\n');
  writeFileSync(join(dir, 'main.go'), RUNNER);
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  execFileSync('go', ['get', `github.com/yuin/gopher-lua@${GOPHER_LUA}`], {
    cwd: dir,
    env,
    stdio: 'pipe',
  });
  runner = join(dir, 'lua-health');
  execFileSync('go', ['build', '-o', runner, '.'], { cwd: dir, env, stdio: 'pipe' });
}, TOOL_BUILD_TIMEOUT);

interface Health {
  status: string;
  message: string;
}

function health(kind: string, obj: unknown): Health {
  const script = join(repoRoot, 'deploy', 'argocd', 'health', `kraftwerk.dev_${kind}.lua`);
  const out = execFileSync(runner, [script], { input: JSON.stringify(obj), encoding: 'utf8' });
  return JSON.parse(out) as Health;
}

const cond = (type: string, status: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration: 2,
});

const resource = (status?: unknown) => ({
  metadata: { name: 'x', generation: 2 },
  ...(status === undefined ? {} : { status }),
});

describe.each(['KafkaCluster', 'KafkaTopic', 'KafkaConsumerGroup', 'KafkaUser'])(
  '%s health',
  (kind) => {
    it('is Progressing before the operator has written a status', () => {
      expect(health(kind, resource()).status).toBe('Progressing');
    });

    it('is Progressing while the operator has not observed the latest generation', () => {
      const h = health(
        kind,
        resource({ observedGeneration: 1, conditions: [cond('Ready', 'True', 'Ok')] }),
      );
      expect(h).toEqual({
        status: 'Progressing',
        message: 'Waiting for the operator to observe generation 2',
      });
    });

    it('is Healthy when Ready is True for this generation', () => {
      const h = health(
        kind,
        resource({ observedGeneration: 2, conditions: [cond('Ready', 'True', 'Ok', 'all good')] }),
      );
      expect(h).toEqual({ status: 'Healthy', message: 'Ok: all good' });
    });

    it('is Progressing while waiting for something (Ready False, a transient reason)', () => {
      const h = health(
        kind,
        resource({
          observedGeneration: 2,
          conditions: [cond('Ready', 'False', 'ClusterNotFound', 'no demo')],
        }),
      );
      expect(h.status).toBe('Progressing');
    });

    it('is Degraded when only a person can fix it (InvalidSpec)', () => {
      const h = health(
        kind,
        resource({
          observedGeneration: 2,
          conditions: [cond('Ready', 'False', 'InvalidSpec', 'bad')],
        }),
      );
      expect(h).toEqual({ status: 'Degraded', message: 'InvalidSpec: bad' });
    });
  },
);

describe('kind-specific health', () => {
  it('KafkaCluster: the Degraded condition wins over Ready', () => {
    const h = health(
      'KafkaCluster',
      resource({
        observedGeneration: 2,
        conditions: [
          cond('Ready', 'True', 'Ok'),
          cond('Degraded', 'True', 'UnderMinIsr', '2 partitions'),
        ],
      }),
    );
    expect(h).toEqual({ status: 'Degraded', message: 'UnderMinIsr: 2 partitions' });
  });

  it('KafkaConsumerGroup: a scale target that does not exist yet is Progressing', () => {
    const h = health(
      'KafkaConsumerGroup',
      resource({ observedGeneration: 2, conditions: [cond('Ready', 'False', 'TargetNotFound')] }),
    );
    expect(h.status).toBe('Progressing');
  });

  it('KafkaTopic: a change Kafka refused is Degraded', () => {
    const h = health(
      'KafkaTopic',
      resource({ observedGeneration: 2, conditions: [cond('Ready', 'False', 'KafkaRejected')] }),
    );
    expect(h.status).toBe('Degraded');
  });

  it.each([
    'NoMatchingListener',
    'AuthorizationDisabled',
    'ReservedUsername',
    'UsernameConflict',
    'SecretNotOwned',
    'PasswordSecretNotFound',
    'KafkaRefused',
  ])('KafkaUser: %s needs a person and is Degraded', (reason) => {
    const h = health(
      'KafkaUser',
      resource({ observedGeneration: 2, conditions: [cond('Ready', 'False', reason, 'fix it')] }),
    );
    expect(h).toEqual({ status: 'Degraded', message: `${reason}: fix it` });
  });

  it.each([
    'ClusterNotFound',
    'ClusterNotReady',
    'KafkaClusterSecuring',
    'ClientsCaNotFound',
    'KafkaUnavailable',
  ])('KafkaUser: %s resolves by itself and is Progressing', (reason) => {
    const h = health(
      'KafkaUser',
      resource({ observedGeneration: 2, conditions: [cond('Ready', 'False', reason)] }),
    );
    expect(h.status).toBe('Progressing');
  });

  it('KafkaUser: any reason the operator marks Stalled is Degraded', () => {
    const h = health(
      'KafkaUser',
      resource({
        observedGeneration: 2,
        conditions: [
          cond('Ready', 'False', 'SomeFutureReason', 'act'),
          cond('Stalled', 'True', 'SomeFutureReason', 'act'),
        ],
      }),
    );
    expect(h).toEqual({ status: 'Degraded', message: 'SomeFutureReason: act' });
  });

  it('KafkaConsumerGroup: stalled consumers are Degraded', () => {
    const h = health(
      'KafkaConsumerGroup',
      resource({
        observedGeneration: 2,
        health: 'Stalled',
        conditions: [cond('Ready', 'True', 'Ok')],
      }),
    );
    expect(h.status).toBe('Degraded');
  });
});

describe('deploy/argocd/argocd-cm-health.yaml', () => {
  it('is what render-argocd-cm.ts writes from health/*.lua', () => {
    // A failure means a .lua file changed: run `node deploy/argocd/render-argocd-cm.ts`.
    expect(readFileSync(argocdCmFile, 'utf8')).toBe(renderArgocdCm());
  });
});
