/**
 * Configuration (01 §3.4, 05 §10): pure `loadConfig(env)` calls — environment classes, production validation
 * (the variable is named, its value never is), DATABASE_URL resolution and CORS origin parsing.
 */
import { expect } from 'chai';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';

type Env = Record<string, string | undefined>;

const DEV_ORIGINS = ['http://localhost:3000', 'http://localhost:3001', 'http://localhost:3002', 'http://127.0.0.1:3000', 'http://127.0.0.1:3001', 'http://127.0.0.1:3002'];

/** A complete, valid production environment; each test breaks one thing. */
const PROD: Env = {
  APP_ENV: 'production',
  DATABASE_URL: 'postgresql://app:pw@db.example.com:5432/workforce',
  APP_SECRET_KEY: 'Zq3v9Lr2Wm8Kp5Xt1Ny7Bh4Dc6Fg0Js2Qa9Ue',
  FRONTEND_BASE_URL: 'https://app.example.com',
  CORS_ORIGINS: 'https://app.example.com',
};

function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error, 'a ConfigError').to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('loadConfig accepted the configuration');
}

/** Refused with a ConfigError naming `variable` and not containing `value`. */
function expectRefused(env: Env, variable: string, value?: string): ConfigError {
  const error = configError(env);
  expect(error.variable).to.equal(variable);
  expect(error.message).to.include(variable);
  if (value !== undefined && value !== '') expect(error.message, 'the message echoes the value').not.to.include(value);
  return error;
}

describe('config: environment classes (APP_ENV)', function () {
  it('unset with DATABASE_URL set → production', function () {
    const { APP_ENV: _, ...env } = PROD;
    const config = loadConfig(env);
    expect(config.appEnv).to.equal('production');
    expect(config.isNonProduction).to.equal(false);
    expect(config.localMode).to.equal(false);
    // …and production validation applies: no secret, no start.
    const { APP_SECRET_KEY: __, ...noSecret } = env;
    expectRefused(noSecret, 'APP_SECRET_KEY');
  });

  it('unset without DATABASE_URL (local mode) → development', function () {
    const config = loadConfig({});
    expect(config.appEnv).to.equal('development');
    expect(config.isNonProduction).to.equal(true);
    expect(config.localMode).to.equal(true);
    expect(config.databaseUrl).to.equal(null);
  });

  it('is trimmed and lower-cased: "Development " → development, " TEST" → test', function () {
    expect(loadConfig({ APP_ENV: 'Development ' }).appEnv).to.equal('development');
    expect(loadConfig({ APP_ENV: ' TEST' }).appEnv).to.equal('test');
    expect(loadConfig({ ...PROD, APP_ENV: 'test', APP_SECRET_KEY: undefined }).appEnv).to.equal('test');
  });

  for (const value of ['prod', '', 'staging', 'developement', 'Production', 'dev']) {
    it(`"${value}" → production (and production validation applies)`, function () {
      const config = loadConfig({ ...PROD, APP_ENV: value });
      expect(config.appEnv).to.equal('production');
      expect(config.isNonProduction).to.equal(false);
      expectRefused({ ...PROD, APP_ENV: value, APP_SECRET_KEY: undefined }, 'APP_SECRET_KEY');
    });
  }

  it('a valid production configuration loads', function () {
    const config: Config = loadConfig(PROD);
    expect(config.appEnv).to.equal('production');
    expect(config.secretKey).to.equal(PROD.APP_SECRET_KEY);
    expect(config.frontendBaseUrl).to.equal('https://app.example.com');
    expect(config.validateResponses).to.equal(false);
  });
});

describe('config: production validation (01 §3.4)', function () {
  describe('APP_SECRET_KEY', function () {
    it('refuses it unset', function () {
      expectRefused({ ...PROD, APP_SECRET_KEY: undefined }, 'APP_SECRET_KEY');
      expectRefused({ ...PROD, APP_SECRET_KEY: '' }, 'APP_SECRET_KEY');
    });

    it('refuses 20 and 31 characters, accepts 32', function () {
      expectRefused({ ...PROD, APP_SECRET_KEY: 'k7Hq2Lm9Xp4Rt8Vz1Nc6' }, 'APP_SECRET_KEY', 'k7Hq2Lm9Xp4Rt8Vz1Nc6');
      const thirtyOne = 'Wm8Kp5Xt1Ny7Bh4Dc6Fg0Js2Qa9UeZq';
      expect(thirtyOne).to.have.length(31);
      expectRefused({ ...PROD, APP_SECRET_KEY: thirtyOne }, 'APP_SECRET_KEY', thirtyOne);
      expect(loadConfig({ ...PROD, APP_SECRET_KEY: `${thirtyOne}x` }).secretKey).to.equal(`${thirtyOne}x`);
    });

    for (const literal of ['change-me-in-env', 'changeme', 'secret', 'dev', 'test']) {
      it(`refuses the literal "${literal}" without echoing it`, function () {
        expectRefused({ ...PROD, APP_SECRET_KEY: literal }, 'APP_SECRET_KEY', literal);
      });
    }
  });

  describe('BOOTSTRAP_ADMIN_PASSWORD', function () {
    it('refuses the known defaults', function () {
      for (const value of ['change-this-password', 'changeme', 'password', 'Password']) {
        const error = expectRefused({ ...PROD, BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com', BOOTSTRAP_ADMIN_PASSWORD: value }, 'BOOTSTRAP_ADMIN_PASSWORD');
        // "password" is also a word of the reason; the message must be the same whatever the value.
        expect(error.message).to.equal(configError({ ...PROD, BOOTSTRAP_ADMIN_PASSWORD: 'x' }).message);
      }
    });

    it('refuses a password that fails the policy', function () {
      expectRefused({ ...PROD, BOOTSTRAP_ADMIN_PASSWORD: 'Sh0rt!pw' }, 'BOOTSTRAP_ADMIN_PASSWORD', 'Sh0rt!pw');
      expectRefused(
        { ...PROD, BOOTSTRAP_ADMIN_EMAIL: 'alexandra.hr@example.com', BOOTSTRAP_ADMIN_PASSWORD: 'alexandra.hr@example.com' },
        'BOOTSTRAP_ADMIN_PASSWORD',
        'alexandra.hr',
      );
    });

    it('accepts a strong one, and none at all', function () {
      const config = loadConfig({ ...PROD, BOOTSTRAP_ADMIN_EMAIL: 'Admin@Example.com', BOOTSTRAP_ADMIN_PASSWORD: 'Correct-Horse-Battery-9' });
      expect(config.bootstrapAdmin).to.deep.equal({ email: 'admin@example.com', password: 'Correct-Horse-Battery-9', name: 'HR Admin' });
      expect(loadConfig(PROD).bootstrapAdmin.password).to.equal(null);
    });
  });

  describe('FRONTEND_BASE_URL', function () {
    it('refuses it unset (no localhost default in production)', function () {
      expectRefused({ ...PROD, FRONTEND_BASE_URL: undefined }, 'FRONTEND_BASE_URL');
    });

    for (const value of ['http://app.example.com', 'https://localhost', 'https://localhost:8443', 'https://127.0.0.1', 'https://${FRONTEND_HOST}', '${FRONTEND_URL}']) {
      it(`refuses ${value}`, function () {
        expectRefused({ ...PROD, FRONTEND_BASE_URL: value, CORS_ORIGINS: `${PROD.CORS_ORIGINS},${value}` }, 'FRONTEND_BASE_URL', value);
      });
    }

    it('accepts the alias FRONTEND_URL and strips a trailing slash', function () {
      const config = loadConfig({ ...PROD, FRONTEND_BASE_URL: undefined, FRONTEND_URL: 'https://app.example.com/' });
      expect(config.frontendBaseUrl).to.equal('https://app.example.com');
    });
  });

  describe('CORS_ORIGINS', function () {
    it('refuses it empty or unset', function () {
      expectRefused({ ...PROD, CORS_ORIGINS: undefined }, 'CORS_ORIGINS');
      expectRefused({ ...PROD, CORS_ORIGINS: '' }, 'CORS_ORIGINS');
      expectRefused({ ...PROD, CORS_ORIGINS: ' , ' }, 'CORS_ORIGINS');
      expectRefused({ ...PROD, CORS_ORIGINS: '[]' }, 'CORS_ORIGINS');
    });

    it('refuses * (alone, in a list, in a JSON array)', function () {
      for (const value of ['*', 'https://app.example.com,*', '["https://app.example.com","*"]']) {
        expectRefused({ ...PROD, CORS_ORIGINS: value }, 'CORS_ORIGINS');
      }
    });

    it('refuses a list that does not contain FRONTEND_BASE_URL', function () {
      expectRefused({ ...PROD, CORS_ORIGINS: 'https://other.example.com' }, 'CORS_ORIGINS', 'other.example.com');
      expectRefused({ ...PROD, CORS_ORIGINS: 'http://app.example.com' }, 'CORS_ORIGINS', 'http://app.example.com');
    });

    it('compares after normalisation (trailing slashes)', function () {
      const config = loadConfig({ ...PROD, FRONTEND_BASE_URL: 'https://app.example.com/', CORS_ORIGINS: 'https://app.example.com/' });
      expect(config.corsOrigins).to.deep.equal(['https://app.example.com']);
    });
  });

  describe('ACCESS_TOKEN_EXPIRE_MINUTES', function () {
    it('refuses 4 and 61', function () {
      expectRefused({ ...PROD, ACCESS_TOKEN_EXPIRE_MINUTES: '4' }, 'ACCESS_TOKEN_EXPIRE_MINUTES');
      expectRefused({ ...PROD, ACCESS_TOKEN_EXPIRE_MINUTES: '61' }, 'ACCESS_TOKEN_EXPIRE_MINUTES', '61');
    });

    it('accepts 5, 60 and defaults to 15', function () {
      expect(loadConfig({ ...PROD, ACCESS_TOKEN_EXPIRE_MINUTES: '5' }).accessTokenMinutes).to.equal(5);
      expect(loadConfig({ ...PROD, ACCESS_TOKEN_EXPIRE_MINUTES: '60' }).accessTokenMinutes).to.equal(60);
      expect(loadConfig(PROD).accessTokenMinutes).to.equal(15);
    });

    it('refuses a non-number without echoing it', function () {
      expectRefused({ ...PROD, ACCESS_TOKEN_EXPIRE_MINUTES: 'fifteen' }, 'ACCESS_TOKEN_EXPIRE_MINUTES', 'fifteen');
    });
  });

  describe('DATABASE_URL (all environments)', function () {
    for (const appEnv of ['production', 'development', 'test']) {
      it(`refuses SQLite in ${appEnv}`, function () {
        for (const value of ['sqlite:///./workforce.db', 'sqlite+aiosqlite:///data/app.db']) {
          expectRefused({ ...PROD, APP_ENV: appEnv, DATABASE_URL: value }, 'DATABASE_URL', value);
        }
      });

      it(`refuses an unresolvable \${…} placeholder without fallbacks in ${appEnv}`, function () {
        const value = '${{Postgres.DATABASE_URL}}';
        expectRefused({ ...PROD, APP_ENV: appEnv, DATABASE_URL: value }, 'DATABASE_URL', value);
        // A public URL that is itself a placeholder is no fallback; partial PG* parts are none either.
        expectRefused(
          { ...PROD, APP_ENV: appEnv, DATABASE_URL: value, DATABASE_PUBLIC_URL: '${{Postgres.DATABASE_PUBLIC_URL}}', PGHOST: 'db.internal', PGUSER: 'app' },
          'DATABASE_URL',
        );
      });
    }

    it('does not echo credentials of a refused URL', function () {
      expectRefused({ ...PROD, DATABASE_URL: 'mysql://root:S3cretDbPass@db.example.com/app' }, 'DATABASE_URL', 'S3cretDbPass');
    });
  });
});

describe('config: DATABASE_URL resolution', function () {
  it('normalises postgres:// to postgresql://', function () {
    expect(loadConfig({ ...PROD, DATABASE_URL: 'postgres://app:pw@db.example.com:5432/workforce' }).databaseUrl).to.equal(
      'postgresql://app:pw@db.example.com:5432/workforce',
    );
    expect(loadConfig({ ...PROD, DATABASE_URL: 'postgresql://app:pw@db.example.com/workforce' }).databaseUrl).to.equal(
      'postgresql://app:pw@db.example.com/workforce',
    );
  });

  it('falls back from a ${…} placeholder to DATABASE_PUBLIC_URL (normalised too)', function () {
    const config = loadConfig({
      ...PROD,
      DATABASE_URL: '${{Postgres.DATABASE_URL}}',
      DATABASE_PUBLIC_URL: 'postgres://pub:pw@public.example.com:6543/railway',
      PGHOST: 'ignored.internal',
      PGUSER: 'ignored',
      PGDATABASE: 'ignored',
    });
    expect(config.databaseUrl).to.equal('postgresql://pub:pw@public.example.com:6543/railway');
    expect(config.localMode).to.equal(false);
  });

  it('falls back to PGHOST/PGUSER/PGPASSWORD/PGDATABASE with PGPORT defaulting to 5432', function () {
    const base = { ...PROD, DATABASE_URL: 'postgresql://${PGUSER}:${PGPASSWORD}@${PGHOST}/${PGDATABASE}', PGHOST: 'db.internal', PGUSER: 'app', PGDATABASE: 'wf' };
    expect(loadConfig({ ...base, PGPASSWORD: 'p@ss word/1' }).databaseUrl).to.equal('postgresql://app:p%40ss%20word%2F1@db.internal:5432/wf');
    expect(loadConfig({ ...base, PGPORT: '6000' }).databaseUrl).to.equal('postgresql://app@db.internal:6000/wf');
    // A placeholder in DATABASE_PUBLIC_URL is skipped in favour of the PG* parts.
    expect(loadConfig({ ...base, DATABASE_PUBLIC_URL: '${{Postgres.DATABASE_PUBLIC_URL}}' }).databaseUrl).to.equal('postgresql://app@db.internal:5432/wf');
  });

  it('an unset or empty DATABASE_URL means local mode', function () {
    expect(loadConfig({ APP_ENV: 'test' }).localMode).to.equal(true);
    expect(loadConfig({ APP_ENV: 'test', DATABASE_URL: '' }).localMode).to.equal(true);
    expect(loadConfig({ APP_ENV: 'test', DATABASE_URL: '' }).databaseUrl).to.equal(null);
  });
});

describe('config: CORS origins', function () {
  it('parses a comma list, trims and strips trailing slashes', function () {
    const config = loadConfig({ ...PROD, CORS_ORIGINS: ' https://app.example.com/ , https://admin.example.com//,https://b.example.com:8443 ' });
    expect(config.corsOrigins).to.have.members(['https://app.example.com', 'https://admin.example.com', 'https://b.example.com:8443']);
    expect(config.corsOrigins).to.have.length(3);
  });

  it('parses a JSON array and strips trailing slashes', function () {
    const config = loadConfig({ ...PROD, CORS_ORIGINS: '["https://app.example.com/", "https://admin.example.com/"]' });
    expect(config.corsOrigins).to.have.members(['https://app.example.com', 'https://admin.example.com']);
    expect(config.corsOrigins).to.have.length(2);
  });

  it('refuses a malformed JSON array, naming CORS_ORIGINS', function () {
    expectRefused({ ...PROD, CORS_ORIGINS: '["https://app.example.com"' }, 'CORS_ORIGINS');
    expectRefused({ ...PROD, CORS_ORIGINS: '[1, 2]' }, 'CORS_ORIGINS');
  });

  it('adds the localhost dev origins only in development and test', function () {
    const production = loadConfig(PROD);
    expect(production.corsOrigins).to.deep.equal(['https://app.example.com']);
    for (const origin of DEV_ORIGINS) expect(production.corsOrigins).not.to.include(origin);

    for (const appEnv of ['development', 'test']) {
      const config = loadConfig({ APP_ENV: appEnv, CORS_ORIGINS: 'https://preview.example.com/' });
      expect(config.corsOrigins).to.include.members([...DEV_ORIGINS, 'https://preview.example.com']);
      expect(config.frontendBaseUrl).to.equal('http://localhost:3000');
      expect(new Set(config.corsOrigins).size).to.equal(config.corsOrigins.length);
    }
  });

  it('includes FRONTEND_BASE_URL in the allowed origins', function () {
    const config = loadConfig({ APP_ENV: 'development', FRONTEND_BASE_URL: 'http://localhost:5173/' });
    expect(config.corsOrigins).to.include('http://localhost:5173');
  });

  it('drops * outside production instead of allowing every origin', function () {
    const config = loadConfig({ APP_ENV: 'development', CORS_ORIGINS: '*' });
    expect(config.corsOrigins).not.to.include('*');
  });
});

describe('config: other settings', function () {
  it('PORT wins over APP_PORT; both default to 8000', function () {
    expect(loadConfig({ APP_ENV: 'test', PORT: '0', APP_PORT: '9000' }).port).to.equal(0);
    expect(loadConfig({ APP_ENV: 'test', APP_PORT: '9000' }).port).to.equal(9000);
    expect(loadConfig({ APP_ENV: 'test' }).port).to.equal(8000);
  });

  it('response validation is on in development/test and off by default in production', function () {
    expect(loadConfig({ APP_ENV: 'test' }).validateResponses).to.equal(true);
    expect(loadConfig({ APP_ENV: 'development' }).validateResponses).to.equal(true);
    expect(loadConfig({ ...PROD, VALIDATE_RESPONSES: 'true' }).validateResponses).to.equal(true);
  });

  it('refuses an unknown ORG_TIMEZONE, naming it', function () {
    expectRefused({ APP_ENV: 'test', ORG_TIMEZONE: 'Mars/Olympus_Mons' }, 'ORG_TIMEZONE', 'Mars/Olympus_Mons');
    expect(loadConfig({ APP_ENV: 'test', ORG_TIMEZONE: 'Asia/Karachi' }).orgTimezone).to.equal('Asia/Karachi');
  });
});
