package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

func keygenCommand() *cli.Command {
	return &cli.Command{
		Name:      "keygen",
		Usage:     "make an ed25519 key pair for signing objects: NAME.key (private) and NAME.pub",
		ArgsUsage: "NAME",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("keygen: give the key pair's NAME (writes NAME.key and NAME.pub)", 2)
			}
			name := c.Args().First()
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return cli.Exit(err, 1)
			}
			// O_EXCL: an existing key is never overwritten.
			if err := writeNew(name+".key", seal.EncodePrivateKey(priv), 0o600); err != nil {
				return cli.Exit(err, 1)
			}
			if err := writeNew(name+".pub", seal.EncodePublicKey(pub), 0o644); err != nil {
				return cli.Exit(err, 1)
			}
			fmt.Fprintf(c.App.Writer, "wrote %s.key (keep it private) and %s.pub; key %s\n", name, name, seal.Fingerprint(pub))
			return nil
		},
	}
}

func signCommand() *cli.Command {
	return &cli.Command{
		Name:      "sign",
		Usage:     "sign a compiled object with an ed25519 key (verified by `run --verify-key`)",
		ArgsUsage: "APP.o",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Required: true, Usage: "private key `FILE` (from keygen)"},
			&cli.StringFlag{Name: "o", Usage: "write the signed object to `FILE` (default: replace APP.o)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("sign: give one object", 2)
			}
			path := c.Args().First()
			keyData, err := os.ReadFile(c.String("key"))
			if err != nil {
				return cli.Exit(err, 1)
			}
			key, err := seal.DecodePrivateKey(keyData)
			if err != nil {
				return cli.Exit(fmt.Sprintf("%s: %v", c.String("key"), err), 1)
			}
			obj, err := os.ReadFile(path)
			if err != nil {
				return cli.Exit(err, 1)
			}
			signed, err := seal.Sign(obj, key)
			if err != nil {
				return cli.Exit(fmt.Sprintf("%s: %v", path, err), 1)
			}
			out := c.String("o")
			if out == "" {
				out = path
			}
			if err := writeReplace(out, signed); err != nil {
				return cli.Exit(err, 1)
			}
			fmt.Fprintf(c.App.Writer, "signed %s with key %s\n", out, seal.Fingerprint(key.Public().(ed25519.PublicKey)))
			return nil
		},
	}
}

// sealSummary describes an object's seal for inspect.
func sealSummary(obj []byte) string {
	info, err := seal.Inspect(obj)
	switch {
	case err != nil:
		return "BROKEN: " + err.Error()
	case info.Signer == nil:
		return fmt.Sprintf("intact (%d sections), unsigned", info.Sections)
	}
	return fmt.Sprintf("intact (%d sections), signed by key %s (not verified; run --verify-key checks it)", info.Sections, seal.Fingerprint(info.Signer))
}

// verifyKey reads the public key of --verify-key (nil if not given).
func verifyKey(c *cli.Context) (ed25519.PublicKey, error) {
	path := c.String("verify-key")
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := seal.DecodePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// writeReplace writes data to path through a temporary file in the same
// directory, so that path is never left half-written.
func writeReplace(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sign-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
