"""The phrasing families of the understanding corpora, written by hand.

A family is one way of saying one thing (trader slang for the balance, a Chinese cancel, a
question that contains the word "login" but asks how long a session lasts, …). Each family
holds hand-written phrasings; ``{coin}`` / ``{coinzh}`` / ``{amt}`` slots take a few tickers,
Chinese coin names or amounts. :mod:`training.corpus` expands them, adds the surface noise
traders type (filler, emoji, a one-letter slip) and splits the corpora **by family**: a test
family's phrasings never appear in training.

Labels follow docs/spec.md: request intents and skill routes ("Skill routing"), the reply
labels each question allows (docs/understanding.md). Where a phrasing is ambiguous between two
readings it is left out rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """One way of saying one thing.

    Attributes:
        name: ``area.way`` (unique).
        label: ``intent/route`` for requests (route ``-`` for none); the reply label for
            replies (``site:eea``, ``option:2`` with their value).
        texts: One phrasing a line (slots allowed).
        questions: The question types the replies answer (replies only).
        noise: Whether to add filler/emoji/slip variants.
    """

    name: str
    label: str
    texts: str
    questions: tuple[str, ...] = ()
    noise: bool = True

    @property
    def lines(self) -> list[str]:
        """The phrasings, one a line, without blank lines."""
        return [t.strip() for t in self.texts.strip().splitlines() if t.strip()]


P, T, E, B, M = (
    "okx-cex-portfolio",
    "okx-cex-trade",
    "okx-cex-earn",
    "okx-cex-bot",
    "okx-cex-market",
)

REQUESTS: tuple[Family, ...] = (
    # ------------------------------------------------------------------ portfolio
    Family(
        "portfolio.bags",
        f"skill/{P}",
        """
        how are my bags doing today
        how are my bags looking
        check my bags
        hows my bag
        show me my bags
        are my bags up or down
        how much are my bags worth rn
        rate my bags lol
        """,
    ),
    Family(
        "portfolio.pnl-slang",
        f"skill/{P}",
        """
        am i in profit
        how much am i down today
        what's my unrealized pnl
        am i rekt
        how much did i make this week
        how red am i
        am i green today
        what's my pnl on {coin}
        how much have i lost on {coin}
        am i up on my {coin} long
        """,
    ),
    Family(
        "portfolio.balance-plain",
        f"skill/{P}",
        """
        what's my balance
        show my account balance
        how much usdt do i have left
        how much {coin} do i hold
        what's in my spot wallet
        balance check
        show balances
        how much money is in my okx account
        what's my total equity
        how much margin do i have available
        """,
    ),
    Family(
        "portfolio.positions",
        f"skill/{P}",
        """
        show my open positions
        what positions do i have open
        list my perp positions
        what's my liquidation price on {coin}
        how big is my {coin} position
        any open positions?
        how leveraged am i right now
        """,
    ),
    Family(
        "portfolio.zh-floating",
        f"skill/{P}",
        """
        浮亏多少了
        浮盈多少
        我现在亏了多少
        今天赚了多少钱
        我的{coinzh}赚了吗
        现在是亏还是赚
        这周盈亏怎么样
        我是不是爆仓了
        """,
    ),
    Family(
        "portfolio.zh-balance",
        f"skill/{P}",
        """
        看看我的持仓
        查一下余额
        我账户里还有多少U
        我还有多少{coinzh}
        我的资产总共多少
        帮我看下仓位
        我有哪些币
        现货账户余额多少
        """,
    ),
    Family(
        "portfolio.mixed",
        f"skill/{P}",
        """
        check 一下我的 balance
        我的 PnL 多少
        看下我的 positions
        我的 {coin} 仓位多大
        账户 equity 多少
        show 我的持仓
        """,
    ),
    Family(
        "portfolio.networth",
        f"skill/{P}",
        """
        what's my net worth on okx
        how much is everything i own worth
        total value of my holdings
        what am i holding right now
        give me a portfolio overview
        breakdown of my assets pls
        """,
    ),
    # ------------------------------------------------------------------ trade
    Family(
        "trade.close-perps",
        f"skill/{T}",
        """
        close all my perps
        close my {coin} long
        flatten my {coin} position
        close everything
        market close my {coin} short
        exit my {coin} trade
        take me out of all positions
        """,
    ),
    Family(
        "trade.ape",
        f"skill/{T}",
        """
        ape into {coin}
        long {coin} 10x
        short {coin} with 5x
        market buy {amt} {coin}
        buy {amt} usdt worth of {coin}
        sell half my {coin}
        dump my {coin}
        go long on {coin} here
        """,
    ),
    Family(
        "trade.orders-manage",
        f"skill/{T}",
        """
        cancel my open orders
        cancel all limit orders on {coin}
        move my {coin} limit order down 2%
        amend my order price
        what orders do i have open
        kill all my pending orders
        """,
    ),
    Family(
        "trade.tp-sl",
        f"skill/{T}",
        """
        set a stop loss on my {coin} at -5%
        put a tp at 70k on btc
        add a trailing stop to my {coin} long
        set sl and tp for my eth position
        move my stop loss to breakeven
        """,
    ),
    Family(
        "trade.zh",
        f"skill/{T}",
        """
        帮我平仓
        把{coinzh}全部平掉
        开个多单
        {coinzh}开空10倍
        挂个限价单买{coinzh}
        撤掉所有挂单
        市价卖出一半{coinzh}
        给我的{coinzh}仓位设个止损
        """,
    ),
    Family(
        "trade.mixed",
        f"skill/{T}",
        """
        帮我 long {coin}
        {coin} 开 short
        close 掉我的 {coin} 仓位
        挂个 limit order
        把 stop loss 设在 60k
        """,
    ),
    # ------------------------------------------------------------------ earn
    Family(
        "earn.stake",
        f"skill/{E}",
        """
        unstake my {coin}
        stake my {coin}
        restake my rewards
        how much am i earning from staking
        put my {coin} to work staking
        """,
    ),
    Family(
        "earn.savings",
        f"skill/{E}",
        """
        put my usdt in savings
        what's the apy on usdt flexible
        move idle usdc into simple earn
        redeem my simple earn
        subscribe to the usdt flexible product
        what yield can i get on {coin}
        lend my usdc
        """,
    ),
    Family(
        "earn.zh",
        f"skill/{E}",
        """
        赎回我的余币宝
        理财收益多少
        把U放进活期赚利息
        {coinzh}质押年化多少
        申购一下双币赢
        我的理财到期了吗
        """,
    ),
    Family(
        "earn.dual-mixed",
        f"skill/{E}",
        """
        dual investment on {coin}
        双币投资 {coin} 怎么样
        dcd 产品有哪些
        auto earn 打开
        开一下 autoearn
        """,
    ),
    # ------------------------------------------------------------------ bot
    Family(
        "bot.grid",
        f"skill/{B}",
        """
        start a grid bot on {coin}
        spin up a grid for {coin}/usdt
        stop my grid
        how's my grid bot doing
        set up a spot grid between 60k and 70k
        """,
    ),
    Family(
        "bot.dca",
        f"skill/{B}",
        """
        spin up a dca bot for {coin}
        dca into {coin} every week
        pause my dca bot
        set up recurring buys of {coin}
        make a martingale bot
        """,
    ),
    Family(
        "bot.zh",
        f"skill/{B}",
        """
        我的网格机器人怎么样
        开个{coinzh}网格
        定投{coinzh}每周100U
        停掉定投
        帮我建个量化策略
        """,
    ),
    # ------------------------------------------------------------------ market
    Family(
        "market.gm-doing",
        f"skill/{M}",
        """
        gm, what's btc doing
        what's {coin} doing today
        how's {coin} looking
        is {coin} pumping
        is the market dumping
        why is {coin} down today
        {coin} up today?
        """,
    ),
    Family(
        "market.price",
        f"skill/{M}",
        """
        {coin} price?
        price of {coin}
        what's {coin} at
        how much is {coin} right now
        current {coin} price pls
        {coin} usdt price
        quote me {coin}
        """,
    ),
    Family(
        "market.derivs-data",
        f"skill/{M}",
        """
        what's the open interest on {coin} perps
        funding rate on {coin} perp
        {coin} funding right now
        show the order book for {coin}
        {coin} 24h volume
        long short ratio on {coin}
        """,
    ),
    Family(
        "market.charts",
        f"skill/{M}",
        """
        show me the 4h chart of {coin}
        {coin} daily candles
        what's the rsi on {coin}
        macd on the {coin} 1h
        bollinger bands for {coin}
        {coin} kline 15m
        """,
    ),
    Family(
        "market.zh",
        f"skill/{M}",
        """
        以太坊现在什么价
        {coinzh}多少钱了
        大饼涨了吗
        {coinzh}今天跌了多少
        看下{coinzh}的K线
        {coinzh}资金费率多少
        {coinzh}行情怎么样
        """,
    ),
    Family(
        "market.mixed",
        f"skill/{M}",
        """
        {coin} 价格多少
        {coin} 现在多少
        看一下 {coin} 的 chart
        {coin} 的 funding rate
        {coin} 今天涨了没
        """,
    ),
    # ------------------------------------------------------------------ status
    Family(
        "status.authed",
        "status/-",
        """
        am i still authed?
        am i authed
        am i still logged in
        am i connected to okx rn
        still logged in?
        r u still connected to my account
        are we logged in
        """,
    ),
    Family(
        "status.session-alive",
        "status/-",
        """
        is my session still alive
        is my okx session active
        is my login still good
        check my login status
        what's my auth status
        is the connection to my account ok
        """,
    ),
    Family(
        "status.which-site",
        "status/-",
        """
        which site am i on
        which site am i connected to
        what site is my login on
        am i on eea or global
        did my login work
        did the login go through
        """,
    ),
    Family(
        "status.zh",
        "status/-",
        """
        我现在是登录状态吗
        登录还有效吗
        我登录了没
        我还在登录吗
        现在连的是哪个站点
        授权还在吗
        检查一下登录状态
        """,
    ),
    Family(
        "status.mixed",
        "status/-",
        """
        我现在 logged in 吗
        check 一下 login status
        我的 session 还有效吗
        okx 登录了吗
        """,
    ),
    # ------------------------------------------------------------------ session lifetime
    Family(
        "lifetime.how-often",
        "session_lifetime/-",
        """
        how often do i need to re-login
        do i have to log in every day?
        how often do i have to log in again
        will i need to log in again tomorrow
        do i need to login every time
        how frequently does the login expire
        """,
    ),
    Family(
        "lifetime.how-long",
        "session_lifetime/-",
        """
        how long does the login last
        how long does my session stay active
        when does my session expire
        does the session expire
        how long am i logged in for
        how long until i get logged out
        """,
    ),
    Family(
        "lifetime.zh",
        "session_lifetime/-",
        """
        会话多久过期
        登录能保持多久
        登录多长时间会失效
        session 多久过期
        每天都要重新登录吗
        多久需要重新登录一次
        """,
    ),
    # ------------------------------------------------------------------ login
    Family(
        "login.plain",
        "login/-",
        """
        log me in
        sign me in pls
        let me log in
        i wanna log in
        login to okx
        can you log me in
        get me signed in
        """,
    ),
    Family(
        "login.connect-slang",
        "login/-",
        """
        hook up my okx account
        connect my okx
        link my okx account
        auth me
        authorize okx for me
        plug in my okx account
        """,
    ),
    Family(
        "login.again",
        "login/-",
        """
        re-login pls
        log me back in
        i got logged out, log me in again
        my session expired, sign me in
        need to log in again
        session expired
        """,
    ),
    Family(
        "login.zh",
        "login/-",
        """
        登录一下
        帮我登个录
        我要登录okx
        帮我授权一下
        连接我的okx账户
        重新登录一下
        我想登进去
        """,
    ),
    Family(
        "login.mixed",
        "login/-",
        """
        帮我 log in
        login 一下
        我要 sign in
        帮我 connect okx
        """,
    ),
    Family(
        "login.with-skill",
        f"login/{P}",
        """
        log in and show my bags
        log me in then check my balance
        sign in and show my positions
        登录然后查余额
        登录一下看看持仓
        login 然后看下我的 pnl
        """,
    ),
    Family(
        "login.with-trade",
        f"login/{T}",
        """
        log me in and buy some {coin}
        sign in and close my {coin} long
        登录后帮我下单买{coinzh}
        """,
    ),
    Family(
        "login.api-key-broken",
        "login/-",
        """
        my api key stopped working
        api key says invalid sign
        getting 50113 with my api key
        my api key is broken
        api key报错了
        """,
    ),
    # ------------------------------------------------------------------ logout
    Family(
        "logout.plain",
        "logout/-",
        """
        log me out
        sign me out pls
        logout
        log out of okx
        sign out of my account
        i want to log out
        """,
    ),
    Family(
        "logout.slang",
        "logout/-",
        """
        kill my session
        disconnect okx
        revoke access to my account
        unlink my okx account
        end my okx session
        """,
    ),
    Family(
        "logout.zh",
        "logout/-",
        """
        退出登录
        帮我登出
        注销登录
        退出okx账号
        断开okx连接
        解除授权
        """,
    ),
    # ------------------------------------------------------------------ binary
    Family(
        "binary.install-download",
        "binary_install/-",
        """
        download the okx-auth binary
        install okx-auth
        reinstall the auth binary
        update okx-auth
        okx-auth is missing, install it
        failed to spawn okx-auth, fix it
        """,
    ),
    Family(
        "binary.install-zh",
        "binary_install/-",
        """
        安装okx-auth
        更新一下 okx-auth
        重装okx auth 二进制
        帮我装一下okx-auth
        okx-auth 修复一下
        """,
    ),
    Family(
        "binary.status",
        "binary_status/-",
        """
        is okx-auth installed?
        is the auth binary there
        check if okx-auth is installed
        which version of okx-auth do i have
        okx-auth版本是多少
        okx-auth装好了吗
        """,
    ),
    Family(
        "binary.remove",
        "binary_remove/-",
        """
        uninstall okx-auth
        remove the okx-auth binary
        delete the auth binary
        把okx-auth卸载掉
        删除okx-auth
        get rid of okx-auth
        """,
    ),
    # ------------------------------------------------------------------ api key
    Family(
        "apikey.setup",
        "api_key_setup/-",
        """
        set up an api key
        i want to use an api key instead
        how do i add my api key
        add a new api key
        configure my api keys
        配置api key
        我想用API key
        帮我设置 api key
        """,
    ),
    # ------------------------------------------------------------------ site / start over
    Family(
        "site.switch",
        "switch_site/-",
        """
        use the us site
        switch to eea site
        switch to the global site instead
        i'm on the wrong site
        change my site
        换到美国站
        切换到欧洲站
        我想换个站点
        """,
    ),
    Family(
        "startover.plain",
        "start_over/-",
        """
        start over
        get me a new code
        fresh code pls
        restart the login
        start again from scratch
        重新开始
        给我一个新的验证码
        """,
    ),
    # ------------------------------------------------------------------ unclear
    Family(
        "unclear.greeting",
        "unclear/-",
        """
        hello
        gm
        hi there
        yo
        good morning
        你好
        在吗
        hey bot
        """,
        noise=False,
    ),
    Family(
        "unclear.meta",
        "unclear/-",
        """
        help
        what can you do
        what is this
        who are you
        how does this work
        你能做什么
        怎么用
        ?
        """,
        noise=False,
    ),
    Family(
        "unclear.chatter",
        "unclear/-",
        """
        thanks
        lol
        wen moon
        wagmi
        nice
        ok
        哈哈
        谢谢
        hmm
        cancel
        nvm
        """,
        noise=False,
    ),
    Family(
        "unclear.negated",
        "unclear/-",
        """
        don't log me out
        I really do not want you to log me out
        please don't sign me out
        do not remove okx-auth
        不要退出
        别给我登出
        不要卸载okx-auth
        never log me out without asking
        """,
        noise=False,
    ),
)


REQUESTS += (
    Family(
        "portfolio.zh-slang",
        f"skill/{P}",
        """
        我的仓位还活着吗
        今天回本了没
        账户缩水了多少
        我套了多少
        我的U还剩多少
        看看我赚了多少U
        """,
    ),
    Family(
        "portfolio.questions-typo",
        f"skill/{P}",
        """
        whats my balanc
        show me my postions
        hw much eth do i have
        my protfolio pls
        how mcuh usdt left
        """,
        noise=False,
    ),
    Family(
        "trade.questions",
        f"skill/{T}",
        """
        can you buy me some {coin}
        could you sell my {coin} for usdt
        can u open a {coin} long for me
        would you close my {coin} short
        is it possible to place a limit buy at 2500 for eth
        """,
    ),
    Family(
        "trade.zh-slang",
        f"skill/{T}",
        """
        梭哈{coinzh}
        抄底{coinzh}
        割肉把{coinzh}卖了
        止损出局
        加仓{coinzh}
        """,
    ),
    Family(
        "earn.questions",
        f"skill/{E}",
        """
        where can i earn interest on my usdt
        can i stake {coin} here
        how do i redeem my staked {coin}
        what's the best savings rate for usdc
        is there a flexible earn product for {coin}
        """,
    ),
    Family(
        "bot.questions",
        f"skill/{B}",
        """
        can you make me a grid bot
        how are my bots doing
        turn off all my bots
        what's the pnl of my grid bot
        is my dca bot still running
        """,
    ),
    Family(
        "market.questions-login",
        f"skill/{M}",
        """
        where is {coin} trading now
        what's the {coin} ticker saying
        what did {coin} close at yesterday
        give me {coin} market data
        is {coin} above 100k
        """,
    ),
    Family(
        "market.zh-slang",
        f"skill/{M}",
        """
        大饼破位了吗
        姨太现在几刀
        {coinzh}拉盘了没
        {coinzh}今天走势咋样
        {coinzh}深度怎么样
        """,
    ),
    Family(
        "status.questions-login",
        "status/-",
        """
        is my login still active?
        is my okx login working
        did my login expire already?
        am i logged into the eea site
        which okx site is my login for
        """,
    ),
    Family(
        "status.zh-colloquial",
        "status/-",
        """
        我现在登着吗
        登录状态查一下
        我是不是还登录着
        还在线吗我的账号
        账号授权状态怎么样
        """,
    ),
    Family(
        "lifetime.questions-login",
        "session_lifetime/-",
        """
        does my login expire if i don't use it
        will the login expire overnight
        how long will i stay logged in
        is there a time limit on the login session
        do sessions ever expire
        """,
    ),
    Family(
        "login.polite",
        "login/-",
        """
        could you please log me in to okx
        would you mind signing me in
        i'd like to connect my okx account please
        please authenticate me with okx
        kindly log me in
        """,
    ),
    Family(
        "login.zh-colloquial",
        "login/-",
        """
        帮我连一下okx
        登个录
        给我登录okx
        我要授权okx
        登陆一下账号
        """,
    ),
    Family(
        "logout.polite",
        "logout/-",
        """
        could you log me out please
        please sign me out of okx
        i'm done for today, log me out
        time to log off
        log me off okx
        """,
    ),
    Family(
        "logout.zh-colloquial",
        "logout/-",
        """
        帮我退出
        退出一下账号
        登出okx
        把我的okx退出登录
        下线吧
        """,
    ),
    Family(
        "binary.install-verbose",
        "binary_install/-",
        """
        okx-auth seems broken, reinstall it
        can you update the okx auth binary
        grab the latest okx-auth
        repair okx-auth pls
        upgrade okx-auth to the newest version
        """,
    ),
    Family(
        "binary.remove-verbose",
        "binary_remove/-",
        """
        i don't need okx-auth anymore, uninstall it
        wipe the okx-auth binary
        卸载okx-auth二进制
        把okx auth 二进制删掉
        remove okx auth binary from my machine
        """,
    ),
    Family(
        "apikey.setup-verbose",
        "api_key_setup/-",
        """
        can i use an api key instead of oauth
        i have an api key, how do i set it up
        run okx config init for me
        i want to trade with api keys
        用API key登录怎么弄
        """,
    ),
    Family(
        "unclear.offtopic",
        "unclear/-",
        """
        what's the weather
        tell me a joke
        who made you
        what time is it
        今天天气怎么样
        讲个笑话
        """,
        noise=False,
    ),
    Family(
        "unclear.vague",
        "unclear/-",
        """
        something is wrong
        it doesn't work
        i need help with okx
        having issues
        出问题了
        不好用
        """,
        noise=False,
    ),
)


AWAIT = ("await_authorization",)
REMOVAL = ("await_profile_removal",)
YES_NO = ("confirm_retry", "confirm_remove_binary", "confirm_switch_site", "confirm_start_over")
RETRY = ("confirm_retry",)
REMOVE = ("confirm_remove_binary",)
FIX = ("choose_api_key_fix",)
CLARIFY = ("clarify_request",)
SITE = ("choose_site",)

REPLIES: tuple[Family, ...] = (
    # ------------------------------------------------------------------ await: signal
    Family(
        "await.signal-en-casual",
        "signal",
        """
        all good
        done
        did it
        just did it
        approved it
        ok approved
        i approved it on my phone
        finished authorizing
        its done
        all done
        authorized
        yep done
        """,
        AWAIT,
    ),
    Family(
        "await.signal-en-clicked",
        "signal",
        """
        i clicked approve
        hit authorize
        pressed allow
        clicked confirm on the page
        entered the code and approved
        code entered, approved
        """,
        AWAIT,
    ),
    Family(
        "await.signal-zh",
        "signal",
        """
        好啦
        同意了
        授权成功了
        已经授权了
        搞定
        弄好了
        完成啦
        我点了同意
        按了确认
        授权好了
        """,
        AWAIT,
    ),
    Family(
        "await.signal-emoji-mixed",
        "signal",
        """
        ✅
        done ✅
        👍
        ok 好了
        done 了
        授权 done
        搞定 👌
        approved 了
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: not yet
    Family(
        "await.notyet-en",
        "not_yet",
        """
        not yet
        hold on
        one sec
        gimme a min
        wait a sec
        still on it
        haven't done it yet
        i didn't approve it yet
        brb
        page is still loading
        """,
        AWAIT,
    ),
    Family(
        "await.notyet-zh",
        "not_yet",
        """
        还没
        还没同意
        等我一下
        稍等
        马上
        页面还在加载
        还没弄完
        等等
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: denied
    Family(
        "await.denied",
        "denied",
        """
        i rejected it
        i clicked deny
        i declined
        hit reject by accident
        我拒绝了
        点了拒绝
        不小心点了拒绝
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: cancel
    Family(
        "await.cancel-en",
        "cancel",
        """
        nvm
        cancel
        forget it
        never mind
        abort
        stop
        i don't want to log in anymore
        cancel the login
        """,
        AWAIT,
    ),
    Family(
        "await.cancel-zh",
        "cancel",
        """
        先不登录了
        别弄了
        算了
        不要了
        取消
        算了吧
        不登了
        取消登录
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: ask code
    Family(
        "await.askcode-en",
        "ask_code",
        """
        code pls
        whats the link
        what's the code again
        resend the link
        send me the link again
        where's the url
        i lost the code
        show me the code again
        """,
        AWAIT,
    ),
    Family(
        "await.askcode-zh",
        "ask_code",
        """
        链接在哪
        验证码多少来着
        给我验证码
        链接发我一下
        验证码再发一次
        链接呢
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: validity
    Family(
        "await.validity",
        "ask_validity",
        """
        how long do i have
        is the code still valid
        how many minutes left
        when does the code expire
        还有多久过期
        验证码多久失效
        还剩多少时间
        """,
        AWAIT,
    ),
    # ------------------------------------------------------------------ await: question
    Family(
        "await.question",
        "question",
        """
        what scopes will it get?
        is this safe?
        why do you need access?
        what does this do?
        can it withdraw my funds?
        what permissions is it asking for?
        这个安全吗?
        会不会有风险?
        为什么需要授权?
        """,
        AWAIT,
        noise=False,
    ),
    # ------------------------------------------------------------------ await: start over / site
    Family(
        "await.startover",
        "start_over",
        """
        start over
        new code pls
        let's restart
        give me a fresh code
        重新来
        重新开始
        """,
        AWAIT,
    ),
    Family(
        "await.switchsite",
        "switch_site",
        """
        wrong site, i need eea
        use global instead
        switch to the us site
        换成美国站
        我要欧洲站
        oops i picked the wrong site
        """,
        AWAIT,
    ),
    Family(
        "await.unclear",
        "unclear",
        """
        lol
        hmm
        🤔
        asdf
        哈哈
        my cat walked on the keyboard
        btc pumping lol
        """,
        AWAIT,
        noise=False,
    ),
    # ------------------------------------------------------------------ profile removal
    Family(
        "removal.signal",
        "signal",
        """
        done
        removed it
        deleted the profile
        删好了
        已经删掉了
        profile removed
        ok deleted
        """,
        REMOVAL,
    ),
    Family(
        "removal.other",
        "not_yet",
        """
        not yet
        还没删
        one sec
        稍等
        """,
        REMOVAL,
    ),
    Family(
        "removal.question",
        "question",
        """
        how do i remove it?
        where is the config file?
        怎么删除?
        which file do i edit?
        """,
        REMOVAL,
        noise=False,
    ),
    Family(
        "removal.cancel",
        "cancel",
        """
        nvm
        cancel
        算了
        forget it
        """,
        REMOVAL,
    ),
    # ------------------------------------------------------------------ yes / no
    Family(
        "yesno.yes-en",
        "yes",
        """
        yes
        yep
        sure
        go ahead
        do it
        yes pls
        yeah go
        sure thing
        ya
        """,
        YES_NO,
    ),
    Family(
        "yesno.yes-zh",
        "yes",
        """
        是的
        好的
        可以
        对
        行
        确定
        要
        """,
        YES_NO,
    ),
    Family(
        "yesno.yes-retry",
        "yes",
        """
        retry
        try again
        let's try again
        再试一次
        重试
        """,
        RETRY,
    ),
    Family(
        "yesno.yes-remove",
        "yes",
        """
        remove it
        yes remove it
        删吧
        删除吧
        """,
        REMOVE,
    ),
    Family(
        "yesno.no-en",
        "no",
        """
        no
        nope
        nah
        no thanks
        not now
        skip
        leave it
        """,
        YES_NO,
    ),
    Family(
        "yesno.no-zh",
        "no",
        """
        不用了
        不要
        不了
        否
        先不
        """,
        YES_NO,
    ),
    Family(
        "yesno.cancel",
        "cancel",
        """
        cancel
        nvm
        forget it
        取消
        算了
        """,
        YES_NO,
    ),
    Family(
        "yesno.unclear",
        "unclear",
        """
        maybe
        idk
        hmm
        what do you think?
        不确定
        yes or no?
        why?
        """,
        YES_NO,
        noise=False,
    ),
    # ------------------------------------------------------------------ api key fix
    Family(
        "fix.replace",
        "option:1",
        """
        replace the key
        new api key pls
        i'll make a new key
        generate a new one
        换个新key
        重新生成一个api key
        """,
        FIX,
    ),
    Family(
        "fix.oauth",
        "option:2",
        """
        switch to oauth
        go with oauth
        use oauth
        用oauth吧
        改用OAuth登录
        """,
        FIX,
    ),
    Family(
        "fix.numbers",
        "option:1",
        """
        1
        option 1
        the first one
        第一个
        """,
        FIX,
        noise=False,
    ),
    Family(
        "fix.cancel",
        "cancel",
        """
        nvm
        cancel
        算了
        """,
        FIX,
    ),
    Family(
        "fix.unclear",
        "unclear",
        """
        which one do you recommend?
        idk
        both
        哪个好?
        """,
        FIX,
        noise=False,
    ),
    # ------------------------------------------------------------------ clarify
    Family(
        "clarify.numbers",
        "option:1",
        """
        1
        the first one
        option 1
        第一个
        """,
        CLARIFY,
        noise=False,
    ),
    Family(
        "clarify.numbers-3",
        "option:3",
        """
        3
        option 3
        the third one
        第三个
        """,
        CLARIFY,
        noise=False,
    ),
    Family(
        "clarify.cancel",
        "cancel",
        """
        nvm
        cancel
        forget it
        算了
        取消
        """,
        CLARIFY,
    ),
    Family(
        "clarify.request",
        "request",
        """
        log me in
        check my balance
        what's btc at
        我想登录
        am i logged in
        log me out
        """,
        CLARIFY,
    ),
    # ------------------------------------------------------------------ site
    Family(
        "site.digits",
        "site:eea",
        """
        2
        option 2
        eea pls
        选2
        第二个
        """,
        SITE,
        noise=False,
    ),
    Family(
        "site.cancel",
        "cancel",
        """
        nvm
        cancel
        算了
        forget it
        """,
        SITE,
    ),
    Family(
        "site.unclear",
        "unclear",
        """
        idk
        which one is for germany?
        1 or 2
        hmm
        """,
        SITE,
        noise=False,
    ),
    # ------------------------------------------------------------------ more await families
    Family(
        "await.signal-en-verbose",
        "signal",
        """
        ok i think i'm done now
        alright it says authorized
        the page says success
        it worked, check now
        logged in on the browser, go ahead
        finished on my end
        should be good now
        all set on my side
        went through on my phone
        ok check it now
        """,
        AWAIT,
    ),
    Family(
        "await.signal-zh-verbose",
        "signal",
        """
        网页上显示成功了
        我已经在浏览器里确认了
        手机上点过同意了
        好了你查一下
        浏览器那边弄完了
        验证码输好了也同意了
        已经批准了
        授权完成
        """,
        AWAIT,
    ),
    Family(
        "await.signal-short-slang",
        "signal",
        """
        gg
        yup
        k done
        dun
        donee
        fin
        ok did
        sorted
        ok ✔
        好
        """,
        AWAIT,
    ),
    Family(
        "await.notyet-en-busy",
        "not_yet",
        """
        still waiting for the page
        browser is slow, wait
        give me 2 minutes
        just a moment
        hang on, opening the link
        working on it
        not done yet, one sec
        almost there
        lemme find my phone first
        in a minute
        """,
        AWAIT,
    ),
    Family(
        "await.notyet-zh-busy",
        "not_yet",
        """
        等一会
        正在弄
        我还在找手机
        马上好
        网页打不开，等下
        还在输验证码
        我一会儿再弄
        稍等一下哈
        """,
        AWAIT,
    ),
    Family(
        "await.denied-verbose",
        "denied",
        """
        i said no on the page
        i refused it
        rejected, didn't like the scopes
        the page asked and i pressed deny
        我点的拒绝
        拒绝授权了
        刚才拒绝了
        """,
        AWAIT,
    ),
    Family(
        "await.cancel-verbose",
        "cancel",
        """
        actually forget it, cancel
        i changed my mind, cancel
        stop the login
        don't bother
        let's not do this
        nah cancel that
        abort the login please
        quit
        """,
        AWAIT,
    ),
    Family(
        "await.cancel-zh-verbose",
        "cancel",
        """
        不想登录了
        不弄了
        先算了
        我不登录了
        取消吧
        别登录了
        不搞了
        """,
        AWAIT,
    ),
    Family(
        "await.askcode-verbose",
        "ask_code",
        """
        can you send the code again
        i closed the tab, link again?
        missed the code, repeat it
        where do i enter the code
        what was the url
        gimme the link again
        which code do i type
        the code?
        link?
        """,
        AWAIT,
    ),
    Family(
        "await.askcode-zh-verbose",
        "ask_code",
        """
        验证码是什么
        再给我一下链接
        链接是哪个
        码是多少
        验证码呢
        刚才的链接找不到了
        网址发一下
        """,
        AWAIT,
    ),
    Family(
        "await.validity-verbose",
        "ask_validity",
        """
        how much time do i have left
        does the code expire soon
        will the code time out
        how long is the code good for
        is it still valid or did it expire
        验证码还有效吗
        还有几分钟
        这个码多长时间过期
        """,
        AWAIT,
    ),
    Family(
        "await.question-verbose",
        "question",
        """
        what happens after i approve?
        do you store my password?
        can you trade without asking me?
        is my account safe with this?
        what is the verification code for?
        会拿到什么权限?
        授权以后能干嘛?
        你会保存我的密码吗?
        """,
        AWAIT,
        noise=False,
    ),
    Family(
        "await.switchsite-verbose",
        "switch_site",
        """
        i meant eea, not global
        i need the us site actually
        can we switch to global
        wrong site picked
        换个站点
        切换到全球站
        我选错站了
        """,
        AWAIT,
    ),
    Family(
        "await.startover-verbose",
        "start_over",
        """
        can we start again
        restart pls
        code expired, new one pls
        let's do it from scratch
        重新登录
        换一个验证码
        重新获取验证码
        """,
        AWAIT,
    ),
    Family(
        "await.unclear-chatter",
        "unclear",
        """
        what a day
        brb coffee then
        gm
        the market is wild today
        nice weather
        今天行情不错
        嗯嗯
        吃饭了吗
        """,
        AWAIT,
        noise=False,
    ),
    # ------------------------------------------------------------------ more removal
    Family(
        "removal.signal-verbose",
        "signal",
        """
        ok i deleted the api key profile
        removed the block from config.toml
        profile is gone now
        i ran okx config use and removed it
        删除了那个profile
        配置已经删了
        """,
        REMOVAL,
    ),
    Family(
        "removal.notyet-verbose",
        "not_yet",
        """
        still editing the file
        give me a minute
        haven't done it yet
        还在改配置
        马上删
        """,
        REMOVAL,
    ),
    Family(
        "removal.cancel-verbose",
        "cancel",
        """
        i'll keep the key, cancel
        never mind, stop
        不删了，取消
        abort
        """,
        REMOVAL,
    ),
    # ------------------------------------------------------------------ more yes/no
    Family(
        "yesno.yes-slang",
        "yes",
        """
        yup
        ye
        absolutely
        for sure
        ok go
        let's go
        confirmed
        definitely
        yes do it
        go for it
        """,
        YES_NO,
    ),
    Family(
        "yesno.yes-zh-colloquial",
        "yes",
        """
        嗯
        没问题
        好
        来吧
        确认
        可以的
        是
        对的
        """,
        YES_NO,
    ),
    Family(
        "yesno.no-slang",
        "no",
        """
        nope not now
        nah i'm good
        no don't
        naw
        not really
        no need
        negative
        maybe later, no
        """,
        YES_NO,
    ),
    Family(
        "yesno.no-zh-colloquial",
        "no",
        """
        不
        不用
        先不用了
        不需要
        不想
        别
        """,
        YES_NO,
    ),
    Family(
        "yesno.cancel-verbose",
        "cancel",
        """
        cancel all of this
        stop
        abort
        不弄了
        取消吧
        算了吧
        """,
        YES_NO,
    ),
    Family(
        "yesno.unclear-verbose",
        "unclear",
        """
        what would that do?
        is that safe?
        depends
        i'm not sure
        你觉得呢?
        不知道
        what's the difference?
        """,
        YES_NO,
        noise=False,
    ),
    # ------------------------------------------------------------------ more api key fix
    Family(
        "fix.replace-verbose",
        "option:1",
        """
        i'll generate a new api key
        let me replace it
        make a new key on the website
        给我换个新的密钥
        我要更换api key
        regenerate the key
        """,
        FIX,
    ),
    Family(
        "fix.oauth-verbose",
        "option:2",
        """
        oauth pls
        let's do the oauth login
        switch me to oauth
        换成oauth
        切换到OAuth
        改用授权登录
        """,
        FIX,
    ),
    Family(
        "fix.numbers-2",
        "option:2",
        """
        2
        option 2
        the second one
        第二个
        number 2
        """,
        FIX,
        noise=False,
    ),
    Family(
        "fix.cancel-verbose",
        "cancel",
        """
        forget it
        never mind
        取消
        stop
        """,
        FIX,
    ),
    # ------------------------------------------------------------------ more clarify
    Family(
        "clarify.numbers-2",
        "option:2",
        """
        2
        option 2
        the second one
        第二个
        number 2
        """,
        CLARIFY,
        noise=False,
    ),
    Family(
        "clarify.numbers-4",
        "option:4",
        """
        4
        option 4
        the fourth one
        第四个
        """,
        CLARIFY,
        noise=False,
    ),
    Family(
        "clarify.request-verbose",
        "request",
        """
        show my positions
        i want to set up an api key
        how long does my session last
        帮我查一下余额
        退出登录
        buy some btc
        is okx-auth installed
        """,
        CLARIFY,
    ),
    Family(
        "clarify.cancel-verbose",
        "cancel",
        """
        never mind
        abort
        不用了，取消
        stop
        """,
        CLARIFY,
    ),
    # ------------------------------------------------------------------ more site
    Family(
        "site.names",
        "site:global",
        """
        global
        1
        the first one
        option 1
        第一个
        global please
        """,
        SITE,
        noise=False,
    ),
    Family(
        "site.us",
        "site:us",
        """
        3
        us
        the third one
        option 3
        我选3
        第三个
        """,
        SITE,
        noise=False,
    ),
    Family(
        "site.cancel-verbose",
        "cancel",
        """
        never mind
        abort
        取消
        stop
        """,
        SITE,
    ),
    Family(
        "site.unclear-verbose",
        "unclear",
        """
        which one is for europe?
        what's the difference?
        not sure
        不知道选哪个
        the cheapest one
        """,
        SITE,
        noise=False,
    ),
)
