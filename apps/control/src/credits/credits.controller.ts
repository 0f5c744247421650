import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, IdentityError, Roles, requireActor, type Principal } from '@gw/identity';
import { CreditLimitError, LedgerRepository, MAX_CREDITS, type Balance, type UsageRow } from '@gw/metering';

const DAY_MS = 86_400_000;

function wireUsageRow(r: UsageRow): Record<string, unknown> {
  return {
    day: r.day,
    api_key_id: r.apiKeyId,
    model: r.model,
    requests: r.requests,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    credits: r.credits,
    cost_usd: r.costUsd,
  };
}

function parseDate(value: string | undefined, param: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw IdentityError.invalid(`Invalid value for '${param}': expected an ISO-8601 date.`, param);
  return d;
}

/** Credits of the caller's organisation: balance, grants (ledger entries) and usage read from the ledger. */
@ApiTags('Credits')
@ApiBearerAuth()
@Controller('api')
export class CreditsController {
  constructor(private readonly ledger: LedgerRepository) {}

  @Get('credits')
  @ApiOperation({ operationId: 'getBalance', summary: 'Balance, credits held by calls in flight (reserved) and by the replicas\' credit leases (leased), and what is available' })
  async balance(@CurrentPrincipal() p: Principal | undefined): Promise<Balance & { organization_id: string }> {
    const { orgId } = requireActor(p);
    return { organization_id: orgId, ...(await this.ledger.balance(orgId)) };
  }

  @Post('credits/grants')
  @HttpCode(201)
  @Roles(['owner', 'admin'])
  @ApiOperation({ operationId: 'grantCredits', summary: `Add credits to the organisation (a ledger entry); at most ${MAX_CREDITS} per grant and per resulting balance` })
  @ApiBody({ schema: { type: 'object', required: ['credits'], properties: { credits: { type: 'integer', minimum: 1, maximum: MAX_CREDITS } } } })
  async grant(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<{ organization_id: string; granted: number; balance: number }> {
    const { orgId, userId } = requireActor(p);
    const credits = (body as { credits?: unknown } | undefined)?.credits;
    if (typeof credits !== 'number' || !Number.isSafeInteger(credits) || credits < 1 || credits > MAX_CREDITS) {
      throw IdentityError.invalid(`Invalid value for 'credits': expected an integer from 1 to ${MAX_CREDITS}.`, 'credits');
    }
    try {
      return { organization_id: orgId, granted: credits, balance: await this.ledger.grant(orgId, credits, userId) };
    } catch (err) {
      // The balance cap is checked atomically in the ledger (concurrent grants cannot pass it together).
      if (err instanceof CreditLimitError) throw IdentityError.invalid(`${err.message}.`, err.param);
      throw err;
    }
  }

  @Get('usage')
  @Roles(['owner', 'admin', 'auditor'])
  @ApiOperation({ operationId: 'getUsage', summary: 'Usage by day (UTC), API key and model, from the billing ledger' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601, default 30 days ago' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601, default now' })
  async usage(@CurrentPrincipal() p: Principal | undefined, @Query('from') from?: string, @Query('to') to?: string): Promise<{ data: Array<Record<string, unknown>> }> {
    const { orgId } = requireActor(p);
    const end = parseDate(to, 'to', new Date());
    const start = parseDate(from, 'from', new Date(end.getTime() - 30 * DAY_MS));
    return { data: (await this.ledger.usage(orgId, start, end)).map(wireUsageRow) };
  }
}
