interface ReconnectBannerProps {
  visible: boolean;
}

/** Shown while the connection is down or the new snapshot has not arrived; clears on the snapshot. */
export function ReconnectBanner({ visible }: ReconnectBannerProps) {
  return (
    <div role="status" aria-live="polite" className={visible ? 'banner banner-warning' : 'visually-hidden'} data-testid="reconnect-banner">
      {visible ? 'Reconnecting… your answers are safe; the interview continues where it was.' : ''}
    </div>
  );
}
